// madoguchi-ui.js: the panel's views a conversation may never need (see ui/extras.ts). Preact, its
// hooks and signals, and the Markdown view are madoguchi.js's own, shared through `Madoguchi.$`.
import * as views from '../ui/extras';
import { handOver } from './hand-over';

handOver('ui', views);

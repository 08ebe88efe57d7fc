// madoguchi-search.js: the FAQ search engine, loaded by madoguchi.js when the config has a FAQ.
import * as engine from '../../../core/src/messenger/search-engine';
import { handOver } from './hand-over';

handOver('search', engine);

// madoguchi-markdown.js: the safe Markdown parser, loaded with the first formatted message.
import { parseMarkdown } from '../../../core/src/markdown';
import { handOver } from './hand-over';

handOver('markdown', { parseMarkdown });

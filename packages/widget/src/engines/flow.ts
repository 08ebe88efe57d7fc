// madoguchi-flow.js: the bot-flow engine, loaded by madoguchi.js when the config has flows.
import * as engine from '../../../core/src/messenger/flow-engine';
import { handOver } from './hand-over';

handOver('flow', engine);

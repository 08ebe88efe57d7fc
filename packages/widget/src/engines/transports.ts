// madoguchi-transports.js: the WebSocket, HTTP and webhook transports, loaded when the config names one.
import * as engine from '../../../core/src/messenger/transports-engine';
import { handOver } from './hand-over';

handOver('transports', engine);

// madoguchi-triage.js: triage and the channel map, loaded when a person is asked for.
import * as engine from '../../../core/src/triage';
import { handOver } from './hand-over';

handOver('triage', engine);

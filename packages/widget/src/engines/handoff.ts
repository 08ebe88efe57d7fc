// madoguchi-handoff.js: triage, the channel map and the handoff, loaded when a person is asked for.
import * as engine from '../../../core/src/messenger/handoff-engine';
import { handOver } from './hand-over';

handOver('handoff', engine);

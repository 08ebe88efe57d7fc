// madoguchi-insights.js: proactive rules and the analytics sink, loaded when the config has them.
import * as engine from '../../../core/src/messenger/insights-engine';
import { handOver } from './hand-over';

handOver('insights', engine);

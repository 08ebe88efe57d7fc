// madoguchi-ja.js: the widget's Japanese strings, loaded when the locale is Japanese.
import { ja } from '../i18n-ja';
import { handOver } from './hand-over';

handOver('ja', { ja });

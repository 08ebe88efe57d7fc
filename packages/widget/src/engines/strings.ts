// madoguchi-strings.js: layers config.strings over the built-in strings, loaded when a config has strings.
import { checkOverrides, withOverrides } from '../i18n-custom';
import { handOver } from './hand-over';

handOver('strings', { checkOverrides, withOverrides });

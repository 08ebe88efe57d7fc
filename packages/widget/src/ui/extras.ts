// The panel's views, in a file of their own for the script tag: nothing of them is needed before
// the panel is first opened (the launcher preloads them when pointed at or focused).
export { Thread } from './Thread';
export { Composer } from './Composer';
export { ArticleView } from './Search';
export { FlowWaitView } from './Flow';
export { HandoffExtras } from './Handoff';
export { Survey } from './Insights';
export { PANEL_CSS } from './panel-styles';

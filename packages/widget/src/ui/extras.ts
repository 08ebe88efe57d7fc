// The panel's views a conversation may never need, in a file of their own for the script tag:
// the article view, a flow's choices and survey, the e-mail follow-up, the feedback survey.
export { ArticleView } from './Search';
export { FlowWaitView } from './Flow';
export { HandoffExtras } from './Handoff';
export { Survey } from './Insights';

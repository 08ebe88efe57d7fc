// What the browser needs of insights: proactive rules, the analytics sink and the insights part's
// code (not the metrics, which only the command line computes).
export { createProactiveEngine, validateProactiveRules } from '../../insights/proactive';
export { createAnalyticsSink } from '../../insights/sink';
export { createInsightsPartImpl } from './part';

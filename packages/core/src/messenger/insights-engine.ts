// What the browser needs of insights: proactive rules and the analytics sink (not the metrics).
export { createProactiveEngine, validateProactiveRules } from '../insights/proactive';
export { createAnalyticsSink } from '../insights/sink';

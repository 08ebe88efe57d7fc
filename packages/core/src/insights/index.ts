export * from './events';
export * from './proactive';
export * from './sink';
export * from './metrics';

import { Madoguchi } from '@madoguchi/vue';
import { createApp } from 'vue';
import App from './App.vue';

// The loopback transport echoes each message, standing in for a person until a server exists.
createApp(App)
  .use(Madoguchi, { appId: 'example-vue', transport: { type: 'loopback', delay: 1500, agentName: 'Echo' } })
  .mount('#app');

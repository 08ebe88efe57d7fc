import { MessengerProvider, useMessenger } from '@madoguchi/react';
import type { MessengerConfig } from 'madoguchi';

// The loopback transport echoes each message, standing in for a person until a server exists.
const config: MessengerConfig = {
  appId: 'example-react',
  transport: { type: 'loopback', delay: 1500, agentName: 'Echo' },
};

export function App() {
  return (
    <MessengerProvider config={config}>
      <header style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', fontFamily: 'system-ui', padding: 16 }}>
        <h1 style={{ margin: 0, fontSize: 20 }}>Acme Router</h1>
        <HelpButton />
      </header>
      <main style={{ fontFamily: 'system-ui', padding: 16 }}>
        <p>Questions about your router? Press Help.</p>
      </main>
    </MessengerProvider>
  );
}

function HelpButton() {
  const { toggle, isOpen, unread } = useMessenger();
  return (
    <button type="button" onClick={toggle} aria-expanded={isOpen}>
      Help{unread > 0 && ` (${unread} unread)`}
    </button>
  );
}

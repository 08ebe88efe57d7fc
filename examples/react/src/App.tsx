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
      <main style={{ fontFamily: 'system-ui', padding: 16 }}>
        <h1 style={{ fontSize: 20 }}>Acme Router</h1>
        <p>
          Questions about your router? <HelpButton />
        </p>
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

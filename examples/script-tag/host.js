// The host product's own script: a tiny single-page app, so navigation happens through
// history.pushState like in a real product, and a few buttons that call the widget.
const pages = {
  '/': ['Welcome to Acme', 'Routers, mesh Wi-Fi and the Acme Cloud plan.'],
  '/products/router-x': ['Router X', 'Wi-Fi 7 router. Setup takes five minutes with the Acme app.'],
  '/orders/1042': ['Order #1042', 'Acme Cloud Pro, paid two days ago. Status: activating.'],
  '/account': ['Your account', 'Plan, billing and password.'],
};

function show(path) {
  const [title, text] = pages[path] || ['Not found', ''];
  document.title = `Acme Store — ${title}`;
  const main = document.getElementById('main');
  main.querySelector('h1').textContent = title;
  main.querySelector('p').textContent = text;
  document.getElementById('order-status').hidden = !path.startsWith('/orders');
}

document.addEventListener('click', (event) => {
  const link = event.target.closest('a[data-spa]');
  if (!link) return;
  event.preventDefault();
  history.pushState({}, '', link.getAttribute('href'));
  show(location.pathname);
});
window.addEventListener('popstate', () => show(location.pathname));
document.getElementById('track-checkout').addEventListener('click', () => Madoguchi('track', 'checkout_started', { cart: 2 }));
// On an order page, the order-status flow starts when the visitor asks (its trigger: this event on /orders*).
document.getElementById('order-status').addEventListener('click', () => Madoguchi('track', 'order-status-asked'));

// The shop's orders, as its own API would answer; the flow's request node asks through this handler.
const orders = {
  'MD-204518': { status: 'shipped', eta: '2026-12-03' },
  'MD-104200': { status: 'delayed', eta: '2026-12-10' },
  'MD-100001': { status: 'delivered', eta: '2026-11-20' },
};
// Through the snippet's queue (a page served without the snippet, `?widget=off`, has none).
window.Madoguchi?.('on', 'flow:request', ({ name, params, respond, fail }) => {
  if (name != 'order-lookup') return;
  const order = Object.hasOwn(orders, params.order) ? orders[params.order] : undefined;
  // A moment's wait, as a real lookup takes; an unknown number takes the flow's error exit.
  setTimeout(() => (order ? respond(order) : fail()), 400);
});
document.getElementById('open-help').addEventListener('click', () => Madoguchi('open'));
document.getElementById('grant-consent').addEventListener('click', () => Madoguchi('update', { consent: true }));
show(location.pathname);

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
document.getElementById('open-help').addEventListener('click', () => Madoguchi('open'));
document.getElementById('grant-consent').addEventListener('click', () => Madoguchi('update', { consent: true }));
show(location.pathname);

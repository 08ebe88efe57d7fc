/** The styles of the panel (its frame, header and views: thread, composer, article, forms), shipped with its views. */
export const PANEL_CSS = `
.panel{z-index:var(--z);width:380px;height:min(640px,calc(100vh - 110px));display:flex;flex-direction:column;background:var(--bg);border:1px solid var(--line);border-radius:16px;box-shadow:0 10px 40px #0004;overflow:hidden}
.br .panel,.bl .panel{margin-bottom:68px}.tr .panel,.tl .panel{margin-top:68px}
@media (max-width:479px){.panel{inset:0!important;margin:0!important;width:100%;height:100vh;height:100dvh;border-radius:0;border:0;padding:env(safe-area-inset-top,0px) env(safe-area-inset-right,0px) env(safe-area-inset-bottom,0px) env(safe-area-inset-left,0px)}}
@media (prefers-reduced-motion:no-preference){.panel{animation:in .16s ease-out}@keyframes in{from{opacity:0;transform:translateY(8px)}}}
header{display:flex;align-items:center;gap:8px;padding:8px;padding-inline-start:16px;border-bottom:1px solid var(--line)}
h2{flex:1;font-size:17px;font-weight:650}
.chip{padding:0 14px;border:1px solid var(--accent);color:var(--accent);border-radius:22px;font-size:14px}
strong,b{font-weight:700}em{font-style:italic}
.status{padding:6px 16px;font-size:13px;color:var(--muted);border-top:1px solid var(--line)}
.chips{display:flex;flex-wrap:wrap;gap:6px;padding:6px 12px}.status .chips{padding:6px 0}
.chip[aria-pressed=true]{background:var(--accent);color:var(--on-accent)}
.scroll{flex:1;overflow-y:auto;padding:14px 14px 6px;overscroll-behavior:contain}
.log{list-style:none;display:flex;flex-direction:column;gap:8px}
.msg{max-width:85%;padding:8px 12px;border-radius:14px;background:var(--soft);overflow-wrap:anywhere}
.msg.user{align-self:flex-end;background:var(--bubble);color:var(--on-bubble)}
.msg.system{align-self:center;background:none;color:var(--muted);font-size:13px;text-align:center}
.who{display:flex;align-items:center;gap:6px;font-size:12px;color:var(--muted);margin-bottom:2px}.user .who{color:inherit;justify-content:flex-end}
.note{display:block;font-size:12px;opacity:.85}
.sugg{list-style:none;border-top:1px solid var(--line);max-height:40%;overflow-y:auto}
.sugg li{padding:8px 16px;cursor:pointer;min-height:44px}.sugg li:hover{background:var(--soft)}.sugg li[aria-selected=true]{background:var(--soft);box-shadow:inset 0 0 0 2px var(--accent)}
.sugg b,mark{background:none;color:inherit;font-weight:700}.sugg small{display:block;min-height:1.45em;color:var(--muted);font-size:13px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.composer{display:flex;gap:6px;align-items:flex-end;padding:8px;border-top:1px solid var(--line)}
textarea{flex:1;resize:none;min-height:44px;max-height:120px;padding:10px 12px;border:1px solid var(--line);border-radius:12px;background:var(--bg);font-size:16px}
.send{background:var(--accent);color:var(--on-accent);padding:0 16px;font-weight:600}
.send:disabled{opacity:.5;cursor:default}
.error{color:var(--err,#c62828);font-size:13px;padding:0 16px}
article{display:flex;flex-direction:column;gap:10px}article h3{font-size:18px;font-weight:650}
.md p+p,.md ul,.md ol,.md pre{margin-top:8px}.md ul,.md ol{padding-inline-start:20px}.md a{color:var(--accent)}
.md code{font-family:ui-monospace,monospace;font-size:13px;background:var(--soft);padding:1px 4px;border-radius:4px}
.md pre{overflow-x:auto;background:var(--soft);padding:8px;border-radius:8px}
.follow{padding:6px 12px;border-top:1px solid var(--line);font-size:13px;color:var(--muted)}.follow div{display:flex;gap:6px;margin-top:4px}
.follow input{flex:1;min-width:0;min-height:44px;padding:0 12px;border:1px solid var(--line);border-radius:12px;background:var(--bg);color:var(--fg);font-size:16px}.follow .error{padding:4px 0 0}
article>.chip,article>a{align-self:flex-start}article a{color:var(--accent)}article .chips{padding:0}
.msg.first{margin-top:6px}.msg.bot,.msg.agent{align-self:flex-start}.at{font-size:11px}
.avatar{display:inline-grid;place-items:center;width:22px;height:22px;border-radius:50%;background:var(--accent);color:var(--on-accent);font-size:11px;font-weight:700}.avatar.agent{background:var(--fg);color:var(--bg)}
.day{align-self:center;font-size:12px;color:var(--muted);padding:4px 0}
.state{display:block;font-size:12px;text-align:end}.link{min-height:0;min-width:0;padding:0 4px;text-decoration:underline;font-size:12px}
.cards{list-style:none;display:flex;flex-direction:column;gap:6px;margin-top:8px}.card{display:block;width:100%;min-height:44px;text-align:start;padding:8px 12px;border:1px solid var(--line);border-inline-start:3px solid var(--accent);border-radius:10px;background:var(--bg);font-weight:600;font-size:14px;text-decoration:none}
.card small{display:block;font-weight:400;font-size:13px;color:var(--muted)}.pic{display:block;max-width:100%;max-height:240px;margin-top:8px;border-radius:8px}
.links{list-style:none;display:flex;flex-wrap:wrap;gap:6px;margin-top:8px}.lb{display:inline-flex;align-items:center;min-height:44px;background:var(--bg);text-decoration:none}
.notice{margin-top:10px;padding:10px 12px;border:1px solid var(--line);border-radius:12px;background:var(--soft);font-size:14px}.notice .chip{margin-top:6px}
.home{display:flex;flex-direction:column;gap:10px;margin-bottom:8px}.home h3{font-size:13px;color:var(--muted);font-weight:600;margin-top:4px}.home .cards{margin-top:4px}
.earlier{list-style:none;font-size:14px}.earlier summary{cursor:pointer;padding:8px 0;min-height:44px;color:var(--muted)}.earlier .log{margin:4px 0 8px}
.scale-ends{display:flex;justify-content:space-between;font-size:12px;color:var(--muted);padding:0 12px}
`;

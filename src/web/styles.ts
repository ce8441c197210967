// Inline CSS for the consumer pages: one small block, no external stylesheet to fetch on a weak signal.
export const CSS = `
*{box-sizing:border-box}
body{margin:0;background:#f4f4f2;color:#1f1f1f;font:16px/1.55 system-ui,-apple-system,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif}
main{max-width:640px;margin:0 auto;padding:12px 14px 32px}
header{display:flex;justify-content:space-between;align-items:center;gap:8px;color:#555;font-size:.9rem}
header a{display:inline-block;padding:10px 12px;min-height:44px;color:#0b57d0}
section,.card{background:#fff;border-radius:12px;padding:14px 16px;margin:12px 0;box-shadow:0 1px 2px rgba(0,0,0,.06)}
h1{font-size:1.45rem;line-height:1.3;margin:4px 0 8px}
h2{font-size:1.1rem;margin:0 0 8px}
ul,ol{margin:0;padding:0;list-style:none}
li+li{border-top:1px solid #eee;margin-top:8px;padding-top:8px}
dl{display:grid;grid-template-columns:auto 1fr;gap:4px 12px;margin:8px 0 0}
dt{color:#666}dd{margin:0}
.alert{border-radius:12px;padding:14px 16px;margin:12px 0;font-weight:700}
.alert p{margin:4px 0 0;font-weight:400}
.hazard{white-space:pre-line}
.stop{background:#c62828;color:#fff;font-size:1.3rem}
.warn{background:#fff3e0;color:#8a3b00;border:2px solid #e65100}
.ok{background:#e6f4e7;color:#1b5e20;border:2px solid #2e7d32}
.verdict{background:#e6f4e7;color:#1b5e20;border:2px solid #2e7d32;border-radius:12px;padding:12px 16px;margin:12px 0}
.verdict p{margin:4px 0 0}
.verdict .verdict-title{margin:0;font-size:1.4rem;font-weight:700;line-height:1.3}
.verdict-title::before{content:"✓\\00a0"}
.verdict .muted{color:#3d5f3f}
.scans{margin:0 4px 12px}
.badges{display:flex;flex-wrap:wrap;gap:6px}
.badge{border:1px solid #2e7d32;color:#1b5e20;background:#eef7ee;border-radius:999px;padding:2px 10px;font-size:.9rem}
.badge.geographical_indication{border-color:#a66f00;color:#7a4f00;background:#fff6e0}
.badge.brand{border-color:#b71c1c;color:#8e0000;background:#fdecea;font-weight:600}
.stage{display:inline-block;min-width:3.2em;margin-right:6px;padding:0 6px;border-radius:6px;background:#eee;font-size:.9rem;text-align:center}
.farm{background:#e6f4e7}.slaughter,.cutting{background:#f6e4dc}.processing{background:#fff1d1}.cold_chain{background:#e2effb}
.muted{color:#666;font-size:.9rem}
.pass{color:#1b5e20;font-weight:700}.fail{color:#c62828;font-weight:700}
code{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
.test-items{margin:4px 0 2px}
.test-items li+li{border:0;margin-top:2px;padding-top:0}
.test-items strong,.test-items .muted,.nowrap{white-space:nowrap}
.lineage{overflow-x:auto;margin:0 -12px}
.lineage svg{display:block;margin:0 auto;max-width:none}
.visually-hidden{position:absolute;width:1px;height:1px;margin:-1px;padding:0;border:0;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
label{display:block;margin:10px 0 4px;font-weight:600}
select,textarea,input{width:100%;font:inherit;padding:10px;min-height:44px;border:1px solid #bbb;border-radius:8px;background:#fff}
button{width:100%;margin-top:14px;min-height:48px;font:inherit;font-weight:700;color:#fff;background:#c62828;border:0;border-radius:8px}
.link{display:block;text-align:center;padding:12px;min-height:48px;font-weight:700;color:#0b57d0}
footer{color:#555;font-size:.9rem;text-align:center;margin-top:16px}
`;

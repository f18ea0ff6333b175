/**
 * The setup page: one static HTML document (the same bytes for every link and connector) with its
 * style and script inline, so it loads with one request and nothing from elsewhere. Everything
 * link-specific is fetched by the script with POSTs to the page's own URL carrying the link secret
 * from the fragment in the body (app.ts). The Content-Security-Policy allows exactly this
 * document's script and style (by hash), requests to the same origin and nothing else.
 *
 * Rendering uses textContent only (never innerHTML): connector names, profile descriptions and
 * error details are data.
 */
import { createHash } from 'node:crypto';

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;margin:0;overflow-wrap:anywhere;color:#1b1b1b;background:#f6f7f9}
main{max-width:46rem;margin:0 auto;padding:1rem}
section{background:#fff;border:1px solid #d8dbe0;border-radius:6px;padding:0 1rem 1rem;margin:1rem 0}
h1{font-size:1.4rem}h2{font-size:1.15rem}
label{display:block;font-weight:600;margin-top:.75rem}
.row{display:flex;gap:.5rem;flex-wrap:wrap}
input{flex:1 1 16rem;min-width:0;font:14px ui-monospace,monospace;padding:.45rem;border:1px solid #9aa1ab;border-radius:4px}
button{font:inherit;padding:.4rem .9rem;border-radius:4px;border:1px solid #0b5cad;background:#0b5cad;color:#fff;cursor:pointer}
button.alt{background:#fff;color:#0b5cad}
:focus-visible{outline:3px solid #f5a623;outline-offset:2px}
.note{color:#444}.bad{color:#a4001d}.ok{color:#1e6b2e}
#msg{font-weight:600}
table{border-collapse:collapse;width:100%;font-size:14px;table-layout:fixed}
th,td{text-align:left;border-bottom:1px solid #e3e5e8;padding:.35rem;vertical-align:top;overflow-wrap:anywhere}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dd{margin:0}
`;

const SCRIPT = `
(()=>{
const $=id=>document.getElementById(id);
const secret=location.hash.slice(1);
const when=s=>s?new Date(s).toLocaleString():'';
let polling=0;
async function call(action){
 const r=await fetch(location.pathname,{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({action,secret}),cache:'no-store',referrerPolicy:'no-referrer'});
 const b=await r.json().catch(()=>({}));
 if(!r.ok)throw new Error(b.error||('HTTP '+r.status));
 return b;
}
function say(text,cls){const m=$('msg');m.textContent=text;m.className=cls||'';}
function cell(tr,t){const td=document.createElement('td');td.textContent=t;tr.appendChild(td);}
function copy(id,btn){const i=$(id);i.select();(navigator.clipboard?navigator.clipboard.writeText(i.value):Promise.reject()).catch(()=>document.execCommand('copy')).finally(()=>{btn.textContent='Copied';setTimeout(()=>btn.textContent='Copy',1500);});}
function state(v){
 $('state').textContent=v.state;
 if(v.state==='open')say('This link shows the Secret Token once. It expires '+when(v.expiresAt)+'.');
 if(v.state==='revealed'&&!$('tok').value){say('The Secret Token was revealed '+when(v.revealedAt)+'. If you need it again, ask your platform team for a new link.','bad');$('tok').placeholder='already revealed';}
 if(v.state==='revealed')$('reveal').hidden=true;
 if(v.state==='expired')say('This link expired '+when(v.expiresAt)+'. Ask your platform team for a new link.','bad');
 if(v.state==='revoked')say('This link was revoked '+when(v.revokedAt)+'. Ask your platform team for a new link.','bad');
 const live=v.state==='open'||v.state==='revealed';
 $('creds').hidden=$('status').hidden=$('steps').hidden=!live;
 return live;
}
function guide(v){
 $('name').textContent=v.connector;$('url').value=v.tenantUrl;
 for(const e of document.querySelectorAll('.tenant'))e.textContent=v.tenantUrl;
 const g=v.guide;$('profile').textContent=g.profile+' — '+g.description;
 $('groups').textContent=g.groups?'Users and groups are provisioned: assign groups as well as users.':'Only users are provisioned (this app has no groups): turn off group provisioning.';
 $('deact').textContent=g.deactivation==='delete'?'Disabling or unassigning a user deletes the account in the app.':'Disabling a user sets active=false; the account is kept.';
 const tb=$('attrs');tb.textContent='';
 for(const a of g.attributes){const tr=document.createElement('tr');cell(tr,a.attribute);cell(tr,a.rule);cell(tr,a.note);tb.appendChild(tr);}
}
function status(s){
 const p={waiting:'Waiting for the identity provider: click “Test Connection” there.',connected:'Connected: the identity provider reached the endpoint. Start provisioning.',provisioning:'Provisioning: users and groups are arriving.'}[s.phase];
 $('phase').textContent=p;$('phase').className=s.phase==='waiting'?'note':'ok';$('phase').dataset.phase=s.phase;
 const dl=$('counts');dl.textContent='';
 const row=(k,v)=>{const dt=document.createElement('dt');dt.textContent=k;const dd=document.createElement('dd');dd.textContent=v;dl.append(dt,dd);};
 row('Requests (24 h)',String(s.requests));row('Failed (24 h)',String(s.failed));row('Last success',s.lastSuccessAt?when(s.lastSuccessAt):'none yet');
 const ul=$('fails');ul.textContent='';
 for(const f of s.failures){const li=document.createElement('li');li.textContent=when(f.at)+' — '+f.status+(f.scimType?' '+f.scimType:'')+(f.detail?': '+f.detail:'');ul.appendChild(li);}
}
async function poll(){
 try{const v=await call('status');if(state(v)&&v.status)status(v.status);}catch(e){}
 if(!document.hidden)polling=setTimeout(poll,${'${POLL_MS}'});else polling=0;
}
document.addEventListener('visibilitychange',()=>{if(!document.hidden&&!polling)poll();});
$('copyUrl').onclick=e=>copy('url',e.target);
$('copyTok').onclick=e=>copy('tok',e.target);
$('reveal').onclick=async()=>{
 $('reveal').disabled=true;
 try{const v=await call('reveal');if(v.token){$('tok').value=v.token;$('copyTok').hidden=false;$('tok').focus();}state(v);if(v.token)say('Copy the Secret Token now: this page will not show it again.','ok');}
 catch(e){say(e.message,'bad');$('reveal').disabled=false;}
};
if(!/^[A-Za-z0-9_-]{43}$/.test(secret)){say('This link is incomplete: open the whole link you were given.','bad');return;}
call('view').then(v=>{$('name').textContent=v.connector;if(v.guide)guide(v);if(state(v)&&v.status)status(v.status);if(v.state==='open'||v.state==='revealed')polling=setTimeout(poll,${'${POLL_MS}'});}).catch(e=>say(e.message==='unknown link'?'This link is not valid. Ask your platform team for a new link.':e.message,'bad'));
})();
`;

/** How often the open page refreshes the connection status (and the link state). */
export const STATUS_POLL_MS = 3000;

const script = SCRIPT.replaceAll('${POLL_MS}', String(STATUS_POLL_MS));

const BODY = `<main>
<h1>Connect <span id="name">your identity provider</span></h1>
<p id="msg" role="status" aria-live="polite">Loading…</p>
<section id="creds" hidden>
<h2>1. Tenant URL and Secret Token</h2>
<p class="note">Link state: <span id="state"></span></p>
<label for="url">Tenant URL</label>
<div class="row"><input id="url" readonly><button id="copyUrl" type="button" class="alt">Copy</button></div>
<label for="tok">Secret Token</label>
<div class="row"><input id="tok" readonly placeholder="hidden until you reveal it"><button id="reveal" type="button">Reveal</button><button id="copyTok" type="button" class="alt" hidden>Copy</button></div>
</section>
<section id="status" hidden>
<h2>2. Connection status</h2>
<p id="phase" aria-live="polite"></p>
<dl id="counts"></dl>
<ul id="fails"></ul>
</section>
<section id="steps" hidden>
<h2>3. Configure your identity provider</h2>
<p class="note">Profile: <span id="profile"></span></p>
<p id="groups"></p><p id="deact"></p>
<details open><summary>Microsoft Entra ID</summary><ol>
<li>Entra admin center → Enterprise applications → New application → Create your own application → “Integrate any other application you don't find in the gallery (Non-gallery)”.</li>
<li>Provisioning → Get started → Provisioning Mode: Automatic.</li>
<li>Admin Credentials: Tenant URL <code class="tenant"></code>, Secret Token: the token above.</li>
<li>Test Connection: the status above turns to “Connected”. Save.</li>
<li>Mappings: check the attributes below (extension attributes: add them as target attributes with their full name).</li>
<li>Users and groups: assign who is provisioned; Provisioning → Start provisioning.</li>
</ol></details>
<details><summary>Okta</summary><ol>
<li>Applications → Create App Integration → SAML 2.0 or SWA app → General: Provisioning “SCIM”.</li>
<li>Provisioning → Integration: SCIM connector base URL <code class="tenant"></code>, Unique identifier field: userName.</li>
<li>Supported actions: Push New Users, Push Profile Updates, Push Groups; Authentication Mode: HTTP Header, Bearer: the token above.</li>
<li>Test Connector Configuration: the status above turns to “Connected”. Save.</li>
<li>Provisioning → To App: enable Create Users, Update User Attributes, Deactivate Users; check the attributes below in the profile mappings.</li>
<li>Assignments: assign users and groups; Push Groups for group memberships.</li>
</ol></details>
<h3>Attributes</h3>
<table><thead><tr><th scope="col">Attribute</th><th scope="col">Rule</th><th scope="col">Note</th></tr></thead><tbody id="attrs"></tbody></table>
</section>
</main>`;

const sha256 = (s: string): string => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

export const SETUP_PAGE_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><meta name="robots" content="noindex"><title>SCIM connector setup</title><style>${STYLE}</style></head><body>${BODY}<script>${script}</script></body></html>`;

/** Only this document's own script and style; requests to its own origin; no frames, forms, bases or plugins. */
export const SETUP_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${sha256(script)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers of every setup response, page and API alike. */
export const SETUP_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': SETUP_PAGE_CSP,
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

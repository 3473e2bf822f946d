/**
 * The fake Discord's recorded messages as one HTML page that looks roughly like Discord's dark theme: content with
 * its markdown, embeds (colour bar, title, description, fields, image, footer), attached images inline, other files
 * by name, buttons, and which messages only their asker sees. For looking at what people read: tests write the page
 * when RUNMEDIC_FACES_HTML names a directory, and a headless browser screenshots it.
 */
import type { FakeMessage } from './fake-discord.ts';

export interface PageSection {
  title: string;
  messages: FakeMessage[];
}

export interface NameLookup {
  channel(id: string): string | undefined;
  role(id: string): string | undefined;
  user?(id: string): string | undefined;
}

export function discordHtml(sections: PageSection[], names: NameLookup): string {
  const body = sections.map((s) => `<h2>${esc(s.title)}</h2>${s.messages.map((m) => message(m, names)).join('')}`).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><style>${CSS}</style></head><body>${body}</body></html>`;
}

function message(m: FakeMessage, names: NameLookup): string {
  const ephemeral = (m.flags & 64) === 64;
  const images = new Map(m.attachments.filter((a) => /\.png$/i.test(a.filename)).map((a) => [a.filename, `data:image/png;base64,${Buffer.from(a.bytes).toString('base64')}`]));
  const usedImages = new Set<string>();
  const embeds = (m.embeds as Embed[]).map((e) => embed(e, images, usedImages, names)).join('');
  const files = m.attachments
    .filter((a) => !usedImages.has(a.filename))
    .map((a) => (images.has(a.filename) ? `<img class="att" src="${images.get(a.filename)}">` : `<div class="file">📄 ${esc(a.filename)} <span>${a.bytes.byteLength.toLocaleString('en-US')} bytes</span></div>`))
    .join('');
  const where = names.channel(m.channel_id) ?? m.channel_id;
  // People's messages (a pasted log a command read) show their author; the bot's carry the BOT tag.
  const who = m.author && !m.author.bot ? `<b>${esc(m.author.username)}</b>` : '<b>runmedic</b> <span class="bot">BOT</span>';
  return `<div class="msg"><div class="head">${who} <span class="where">#${esc(where)}</span></div>
    ${m.content ? `<div class="content">${markdown(m.content, names)}</div>` : ''}${embeds}${files}${buttons(m)}
    ${ephemeral ? '<div class="eph">👁 Only you can see this</div>' : ''}</div>`;
}

interface Embed {
  title?: string;
  description?: string;
  color?: number;
  fields?: { name: string; value: string; inline?: boolean }[];
  image?: { url: string };
  footer?: { text: string };
}

function embed(e: Embed, images: Map<string, string>, used: Set<string>, names: NameLookup): string {
  const colour = `#${(e.color ?? 0x4f545c).toString(16).padStart(6, '0')}`;
  const fields = (e.fields ?? []).map((f) => `<div class="field"><div class="fname">${markdown(f.name, names)}</div><div class="fvalue">${markdown(f.value, names)}</div></div>`).join('');
  let image = '';
  if (e.image?.url.startsWith('attachment://')) {
    const name = e.image.url.slice('attachment://'.length);
    used.add(name);
    image = images.has(name) ? `<img class="eimg" src="${images.get(name)}">` : `<div class="file">missing image ${esc(name)}</div>`;
  }
  return `<div class="embed" style="border-left-color:${colour}">${e.title ? `<div class="etitle">${markdown(e.title, names)}</div>` : ''}${e.description ? `<div class="edesc">${markdown(e.description, names)}</div>` : ''}${fields}${image}${e.footer ? `<div class="efoot">${esc(e.footer.text)}</div>` : ''}</div>`;
}

function buttons(m: FakeMessage): string {
  const rows = (m.components as { components?: { type: number; label?: string; emoji?: { name?: string }; style?: number; disabled?: boolean }[] }[]).map(
    (row) =>
      `<div class="row">${(row.components ?? [])
        .filter((c) => c.type === 2)
        .map((c) => `<span class="btn ${c.style === 1 ? 'primary' : c.style === 4 ? 'danger' : ''} ${c.disabled ? 'disabled' : ''}">${esc(c.emoji?.name ?? '')} ${esc(c.label ?? '')}</span>`)
        .join('')}</div>`,
  );
  return rows.join('');
}

/** Enough of Discord's markdown to read a message: code blocks, inline code, bold, subtext, mentions, escapes. */
function markdown(text: string, names: NameLookup): string {
  const blocks = text.split(/```/);
  return blocks
    .map((part, k) => {
      if (k % 2 === 1) return `<pre>${esc(part.replace(/^\w*\n/, ''))}</pre>`;
      let h = esc(part);
      h = h.replace(/`([^`]+)`/g, '<code>$1</code>');
      h = h.replace(/\*\*(.+?)\*\*/g, '<b>$1</b>');
      h = h.replace(/\[([^\]]+)\]\((https?:[^)\s]+)\)/g, '<a href="$2">$1</a>');
      h = h.replace(/\\([_*~`|\\])/g, '$1');
      h = h.replace(/&lt;@&amp;(\d+)&gt;/g, (_, id: string) => `<span class="mention">@${esc(names.role(id) ?? id)}</span>`);
      h = h.replace(/&lt;@(\d+)&gt;/g, (_, id: string) => `<span class="mention">@${esc(names.user?.(id) ?? id)}</span>`);
      h = h.replace(/&lt;#(\d+)&gt;/g, (_, id: string) => `<span class="mention">#${esc(names.channel(id) ?? id)}</span>`);
      h = h.replace(/^-# (.*)$/gm, '<small>$1</small>');
      return h.replace(/\n/g, '<br>');
    })
    .join('');
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const CSS = `
body { background:#313338; color:#dbdee1; font:15px/1.375 "gg sans","Noto Sans","Helvetica Neue",Helvetica,Arial,sans-serif; margin:0; padding:16px 24px; width:900px; }
h2 { color:#f2f3f5; font-size:13px; text-transform:uppercase; letter-spacing:.04em; border-bottom:1px solid #3f4147; padding:18px 0 4px; margin:0 0 8px; }
.msg { padding:8px 0 10px; }
.head b { color:#f2f3f5; } .bot { background:#5865f2; color:#fff; font-size:10px; border-radius:3px; padding:1px 4px; vertical-align:1px; }
.where { color:#949ba4; font-size:12px; margin-left:6px; }
.content { margin:2px 0 4px; white-space:normal; }
.embed { background:#2b2d31; border-left:4px solid; border-radius:4px; padding:8px 16px 12px 12px; margin:4px 0; max-width:516px; }
.etitle { font-weight:600; color:#f2f3f5; margin:4px 0; } .edesc { font-size:14px; margin:4px 0; }
.field { margin-top:8px; } .fname { font-weight:600; font-size:14px; color:#f2f3f5; } .fvalue { font-size:14px; }
.efoot { font-size:12px; color:#b5bac1; margin-top:8px; }
.eimg { max-width:100%; border-radius:4px; margin-top:12px; display:block; } .att { max-width:520px; display:block; margin:4px 0; border-radius:4px; }
pre { background:#1e1f22; border:1px solid #232428; border-radius:4px; padding:6px 8px; font:13px/1.3 Consolas,"DejaVu Sans Mono",monospace; white-space:pre; overflow:hidden; margin:4px 0; }
code { background:#1e1f22; border-radius:3px; padding:0 3px; font:85% Consolas,"DejaVu Sans Mono",monospace; }
 a { color:#00a8fc; text-decoration:none; }
.mention { background:rgba(88,101,242,.3); color:#c9cdfb; border-radius:3px; padding:0 2px; }
small { color:#949ba4; font-size:12px; }
.row { margin-top:6px; } .btn { display:inline-block; background:#4e5058; color:#fff; border-radius:3px; padding:3px 12px; margin-right:8px; font-size:14px; }
.btn.primary { background:#5865f2; } .btn.danger { background:#da373c; } .btn.disabled { opacity:.5; }
.file { background:#2b2d31; border:1px solid #232428; border-radius:4px; padding:8px 10px; margin:4px 0; display:inline-block; } .file span { color:#949ba4; font-size:12px; }
.eph { color:#949ba4; font-size:12px; margin-top:4px; }
`;

/** Every message the fake Discord holds, one section per channel or thread in order of first message, as a page. */
export function recordedPage(fake: import('./fake-discord.ts').FakeDiscord, heading = ''): string {
  const byChannel = new Map<string, FakeMessage[]>();
  for (const m of fake.messages.values()) {
    if (!byChannel.has(m.channel_id)) byChannel.set(m.channel_id, []);
    byChannel.get(m.channel_id)!.push(m);
  }
  const names: NameLookup = { channel: (id) => fake.channels.get(id)?.name, role: (id) => fake.roles.get(id)?.name, user: (id) => fake.members.get(id)?.user.username };
  const sections = [...byChannel].map(([id, messages]) => {
    const c = fake.channels.get(id);
    const title = c ? (c.type === 11 ? `🧵 thread ${c.name}` : `#${c.name}`) : id;
    return { title: heading ? `${heading} · ${title}` : title, messages };
  });
  return discordHtml(sections, names);
}

/** Writes the page to `${RUNMEDIC_FACES_HTML}/${name}.html` when that variable names a directory; otherwise nothing. */
export async function maybeWriteRecordedPage(fake: import('./fake-discord.ts').FakeDiscord, name: string): Promise<void> {
  const dir = process.env.RUNMEDIC_FACES_HTML;
  if (!dir) return;
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const path = await import('node:path');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.html`), recordedPage(fake, name));
}

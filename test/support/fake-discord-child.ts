/** The child side of RemoteFakeDiscord: a FakeDiscord answering commands from its parent over IPC. */
import { FakeDiscord, type FakeInteraction } from './fake-discord.ts';

const fake = await FakeDiscord.start();
const send = (m: unknown) => process.send!(m);
send({ apiBase: fake.apiBase, token: fake.token });

process.on('message', async (m: { seq: number; cmd: string; args: any }) => {
  try {
    let value: unknown;
    switch (m.cmd) {
      case 'slashMany': {
        const ids: string[] = [];
        for (let k = 0; k < m.args.count; k++) ids.push(fake.slash({ name: m.args.name, options: m.args.options }).id);
        value = ids;
        break;
      }
      case 'timings': {
        const its = (m.args.ids as string[]).map((id) => fake.interactions.get(id)!);
        const answers = await Promise.all(its.map((it: FakeInteraction) => fake.answerOf(it, m.args.timeoutMs)));
        value = its.map((it, k) => ({
          id: it.id,
          deferMs: it.callbacks[0].at - it.sentAt,
          answerMs: it.answeredAt! - it.sentAt,
          embeds: answers[k].embeds.length,
          attachments: answers[k].attachments.length,
        }));
        break;
      }
      case 'stop':
        await fake.stop();
        send({ seq: m.seq, ok: true });
        process.exit(0);
      default:
        throw new Error(`unknown command ${m.cmd}`);
    }
    send({ seq: m.seq, ok: true, value });
  } catch (e) {
    send({ seq: m.seq, ok: false, error: e instanceof Error ? e.message.slice(0, 4000) : String(e) });
  }
});

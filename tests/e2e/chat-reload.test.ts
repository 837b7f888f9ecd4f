import { describe, expect, it } from 'vitest';
import { useServerAndBrowser } from './support/harness.ts';
import { newPeerPage } from './support/browser.ts';
import { chatTexts, createRoom, joinRoom, sendChat } from './support/call.ts';
import { waitFor } from './support/wait.ts';

describe('chat history', () => {
  const env = useServerAndBrowser();

  it('survives a reload: the rejoined page shows the earlier messages', async () => {
    const a = await newPeerPage(env.browser, { label: 'alice' });
    const b = await newPeerPage(env.browser, { label: 'bob' });
    const url = await createRoom(a.page, env.server.url);
    await joinRoom(a.page, url, 'Alice');
    await joinRoom(b.page, url, 'Bob');

    const text = `remember me ${Date.now()} ✨`;
    await sendChat(a.page, text);
    await waitFor('Bob to receive the message', async () =>
      (await chatTexts(b.page)).includes(text),
    );

    await a.page.reload();
    // The name is remembered across the reload.
    expect(await a.page.getByLabel('Your name').inputValue()).toBe('Alice');
    await joinRoom(a.page, url, 'Alice');
    await waitFor('the message in the history after rejoining', async () =>
      (await chatTexts(a.page)).includes(text),
    );
    expect((await chatTexts(a.page)).filter((t) => t === text)).toHaveLength(1);
  });
});

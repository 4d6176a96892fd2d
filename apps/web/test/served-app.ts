import { fileURLToPath } from 'node:url';
import { preview, type PreviewServer } from 'vite';

/** The built app (`apps/web/dist`) served by vite preview on 127.0.0.1 at a free port; `close` stops it. */
export async function serveApp(): Promise<{ url: string; close: () => Promise<void> }> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const server: PreviewServer = await preview({ root, configFile: false, base: './', logLevel: 'silent', preview: { host: '127.0.0.1', port: 0, strictPort: true } });
  const url = server.resolvedUrls?.local[0];
  if (url === undefined) throw new Error('vite preview gave no address');
  return { url, close: () => server.close() };
}

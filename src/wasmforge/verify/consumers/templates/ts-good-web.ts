// The `web` subpath's own types (bundler resolution only; needs the DOM lib).
import init, { initSync, version } from '__PKG__/web';

export async function web(): Promise<string> {
  await init();
  void initSync;
  return version();
}

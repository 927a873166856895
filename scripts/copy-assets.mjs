// Copies what the build ships beside the compiled JavaScript but tsc does not emit: the nginx
// data plane's Lua (src/gateway/nginx/lua), which nginx loads from dist/ at run time.
import { cpSync } from 'node:fs';

const ASSETS = ['gateway/nginx/lua'];
for (const dir of ASSETS) cpSync(`src/${dir}`, `dist/${dir}`, { recursive: true });

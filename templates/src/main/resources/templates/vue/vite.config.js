import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The dev-server contract (docs/templates.md): listen on $HOST:$PORT only, fail if the port is taken,
// accept any Host (previews are served as <session id>.<preview domain>), and leave HMR's host and port
// unset so its client connects back to the page's own origin through the router.
export default defineConfig({
  plugins: [vue()],
  server: {
    host: process.env.HOST || '127.0.0.1',
    port: Number(process.env.PORT || 5173),
    strictPort: true,
    allowedHosts: true,
  },
})

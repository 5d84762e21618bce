import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

// The dev-server contract (docs/templates.md): listen on $HOST:$PORT only, fail if the port is taken,
// accept any Host (previews are served as <session id>.<preview domain>), and leave HMR's host and port
// unset so its client connects back to the page's own origin through the router.
export default defineConfig({
  plugins: [react()],
  resolve: {
    // React Native for the web: the app imports 'react-native', the browser gets react-native-web
    alias: { 'react-native': 'react-native-web' },
    extensions: ['.web.jsx', '.web.js', '.jsx', '.js', '.mjs', '.json'],
  },
  server: {
    host: process.env.HOST || '127.0.0.1',
    port: Number(process.env.PORT || 5173),
    strictPort: true,
    allowedHosts: true,
  },
})

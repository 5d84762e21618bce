// The dev-server contract (docs/templates.md). A preview's origin is <session id>.<preview domain>, and
// Next.js refuses /_next/* requests and the HMR WebSocket from origins that allowedDevOrigins does not
// list. The local default's *.preview.localhost is listed here; a production preview domain comes from
// PREVIEW_DOMAIN (for example previews.example.dev) when the machine is given it.
const previewDomain = process.env.PREVIEW_DOMAIN

/** @type {import('next').NextConfig} */
const nextConfig = {
  allowedDevOrigins: ['*.preview.localhost', ...(previewDomain ? [`*.${previewDomain}`] : [])],
}

export default nextConfig

'use client'

import { useState } from 'react'

export default function Page() {
  const [count, setCount] = useState(0)

  return (
    <main>
      <h1>Hello from Next.js</h1>
      <button type="button" onClick={() => setCount((count) => count + 1)}>
        count is {count}
      </button>
      <p>Edit <code>src/app/page.jsx</code> and save: the page updates and the count stays.</p>
    </main>
  )
}

import { useState } from 'react'

export default function App() {
  const [count, setCount] = useState(0)

  return (
    <main>
      <h1>Hello from React</h1>
      <button type="button" onClick={() => setCount((count) => count + 1)}>
        count is {count}
      </button>
      <p>Edit <code>src/App.jsx</code> and save: the page updates and the count stays.</p>
    </main>
  )
}

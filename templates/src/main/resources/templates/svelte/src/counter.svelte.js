// Svelte 5 re-creates a component's local state on every hot update (sveltejs/svelte#14434); state
// held in a module of its own survives edits of App.svelte, as React's and Vue's counters do.
export const counter = $state({ count: 0 })

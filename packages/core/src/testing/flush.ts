/** Lets every pending promise callback run (a macrotask runs after all microtasks). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

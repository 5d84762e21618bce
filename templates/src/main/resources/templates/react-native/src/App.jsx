import { useState } from 'react'
import { Pressable, StyleSheet, Text, View } from 'react-native'

export default function App() {
  const [count, setCount] = useState(0)

  return (
    <View style={styles.main}>
      <Text role="heading" aria-level={1} style={styles.heading}>Hello from React Native</Text>
      <Pressable role="button" onPress={() => setCount((count) => count + 1)} style={styles.button}>
        <Text style={styles.text}>count is {count}</Text>
      </Pressable>
      <Text style={styles.text}>Edit src/App.jsx and save: the page updates and the count stays.</Text>
    </View>
  )
}

const styles = StyleSheet.create({
  main: { maxWidth: 640, marginVertical: 64, marginHorizontal: 'auto', alignItems: 'center', gap: 16 },
  heading: { fontSize: 32, fontWeight: 'bold', fontFamily: 'system-ui, sans-serif', color: '#1f2328' },
  button: { paddingVertical: 10, paddingHorizontal: 20, borderWidth: 1, borderColor: '#d0d7de', borderRadius: 8, backgroundColor: '#ffffff' },
  text: { fontSize: 16, fontFamily: 'system-ui, sans-serif', color: '#1f2328' },
})

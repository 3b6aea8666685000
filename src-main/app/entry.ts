// The bundle's entry (out/main/index.js).
import { startEkidenApp } from './index';

startEkidenApp().catch((error: unknown) => {
  console.error('Ekiden failed to start:', error);
  process.exit(1);
});

// The preload (sandboxed, context-isolated): exposes exactly one object, `window.ekiden`.
import { contextBridge, ipcRenderer } from 'electron';
import { createEkidenApi } from './api';

export const API_KEY = 'ekiden';

contextBridge.exposeInMainWorld(API_KEY, createEkidenApi(ipcRenderer));

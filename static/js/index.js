// index.js -- the landing page: only the shared header and translations.
import { initPage } from './ui.js';

initPage('home');

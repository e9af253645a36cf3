/** Browser entry: the app shell registers every element it uses. */
import './srgan-app.js';

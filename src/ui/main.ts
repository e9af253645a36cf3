/** Browser entry: registers the elements used by index.html. */
import './engine-demo.js';

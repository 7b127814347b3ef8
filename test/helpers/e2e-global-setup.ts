import { setup } from './e2e-services';

export default setup;

import { teardown } from './e2e-services';

export default teardown;

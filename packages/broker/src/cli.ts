import { createBroker } from './index';
void createBroker;

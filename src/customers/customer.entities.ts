import { Consent } from './consent.entity';
import { Customer } from './customer.entity';
import { ImportJob } from './import-job.entity';
import { Interaction } from './interaction.entity';

export const CUSTOMER_ENTITIES: Function[] = [Customer, Consent, Interaction, ImportJob];

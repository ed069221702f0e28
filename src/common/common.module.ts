import { Global, Module } from '@nestjs/common';
import { DomainEvents } from './domain-events';
import { LinkSigner } from './link-signer';

@Global()
@Module({ providers: [DomainEvents, LinkSigner], exports: [DomainEvents, LinkSigner] })
export class CommonModule {}

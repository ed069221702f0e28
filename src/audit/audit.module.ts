import { Global, Module } from '@nestjs/common';
import { AuditErasureListener } from './audit-erasure.listener';
import { AuditService } from './audit.service';

@Global()
@Module({ providers: [AuditService, AuditErasureListener], exports: [AuditService] })
export class AuditModule {}

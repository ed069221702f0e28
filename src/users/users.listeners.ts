import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainEvents } from '../common/domain-events';

/** The users module's listeners: what other modules tell it about its users. */
@Injectable()
export class UsersListeners implements OnModuleInit {
  constructor(private readonly events: DomainEvents) {}

  onModuleInit() {
    this.events.on('user.logged_in', (m, e) => this.stampLogin(m, e.userId, e.at));
  }

  /** A successful password login (auth) is the user's last login. */
  async stampLogin(m: EntityManager, userId: string, at: Date): Promise<void> {
    await m.query(`UPDATE app_user SET last_login_at = $2 WHERE id = $1`, [userId, at]);
  }
}

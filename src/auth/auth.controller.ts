import { Body, Controller, Get, HttpCode, Ip, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuthUser } from './auth-user';
import { AuthService } from './auth.service';
import { CurrentUser, Public } from './decorators';
import { LoginDto, TokenDto } from './dto/login.dto';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /** Exchanges email and password for a short-lived bearer token. Failed attempts are rate-limited (429). */
  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in with email and password; answers a short-lived bearer token' })
  @ApiOkResponse({ type: TokenDto })
  @ApiUnauthorizedResponse({ description: 'Email or password is wrong, or the account is inactive' })
  @ApiTooManyRequestsResponse({
    description: 'Too many failed attempts for this email or address; `retryAfter` says when to try again',
  })
  login(@Body() body: LoginDto, @Ip() ip: string): Promise<TokenDto> {
    return this.auth.login(body.email, body.password, ip);
  }

  /** The caller's identity, role and rooftops. */
  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Who is calling: their id, role, rooftops and whether by token or API key' })
  me(@CurrentUser() user: AuthUser) {
    return { id: user.id, role: user.role, rooftopIds: user.rooftopIds, via: user.via };
  }
}

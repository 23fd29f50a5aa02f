/**
 * createContainer: the one place a container is built. Every binding defaults to singleton scope,
 * and modules load synchronously (inversify 8).
 */
import 'reflect-metadata';

import { Container, type ContainerModule } from 'inversify';

export function createContainer(...modules: ContainerModule[]): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  container.load(...modules);
  return container;
}

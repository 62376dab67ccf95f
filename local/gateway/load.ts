import {
  GetApiKeysCommand,
  GetGatewayResponsesCommand,
  GetModelsCommand,
  GetRequestValidatorsCommand,
  GetResourcesCommand,
  GetRestApisCommand,
  GetStagesCommand,
  GetUsagePlanKeysCommand,
  GetUsagePlansCommand,
  type APIGatewayClient,
  type Method,
  type Stage,
  type ThrottleSettings,
} from '@aws-sdk/client-api-gateway';

export interface Route {
  path: string;
  method: string;
  definition: Method;
}

export interface ApiKey {
  id: string;
  value: string;
  throttle?: ThrottleSettings;
}

export interface GatewayResponse {
  statusCode: string;
  template?: string;
}

export interface RestApiDefinition {
  id: string;
  name: string;
  stages: Stage[];
  routes: Route[];
  /** Request validator id -> does it validate the body. */
  validatesBody: Map<string, boolean>;
  /** Model name -> JSON schema. */
  models: Map<string, object>;
  gatewayResponses: Map<string, GatewayResponse>;
  /** Stage name -> API keys usable on it (through a usage plan). */
  keysByStage: Map<string, ApiKey[]>;
}

/** Reads every REST API the emulator holds, with what is needed to serve it: nothing is hand-written. */
export async function loadRestApis(apigw: APIGatewayClient): Promise<RestApiDefinition[]> {
  const { items: apis = [] } = await apigw.send(new GetRestApisCommand({ limit: 500 }));
  const { items: plans = [] } = await apigw.send(new GetUsagePlansCommand({ limit: 500 }));
  const { items: keys = [] } = await apigw.send(new GetApiKeysCommand({ includeValues: true, limit: 500 }));
  const planKeys = new Map(
    await Promise.all(plans.map(async (p) => [p.id!, (await apigw.send(new GetUsagePlanKeysCommand({ usagePlanId: p.id! }))).items ?? []] as const)),
  );

  return Promise.all(
    apis.map(async (api): Promise<RestApiDefinition> => {
      const restApiId = api.id!;
      const [{ item: stages = [] }, { items: resources = [] }, { items: validators = [] }, { items: models = [] }, { items: responses = [] }] = await Promise.all([
        apigw.send(new GetStagesCommand({ restApiId })),
        apigw.send(new GetResourcesCommand({ restApiId, embed: ['methods'], limit: 500 })),
        apigw.send(new GetRequestValidatorsCommand({ restApiId })),
        apigw.send(new GetModelsCommand({ restApiId })),
        apigw.send(new GetGatewayResponsesCommand({ restApiId })),
      ]);

      const keysByStage = new Map<string, ApiKey[]>();
      for (const plan of plans) {
        for (const apiStage of plan.apiStages ?? []) {
          if (apiStage.apiId !== restApiId || !apiStage.stage) continue;
          const usable = (planKeys.get(plan.id!) ?? [])
            .map((pk) => keys.find((k) => k.id === pk.id))
            .filter((k) => k?.enabled && k.value)
            .map((k) => ({ id: k!.id!, value: k!.value!, throttle: plan.throttle }));
          keysByStage.set(apiStage.stage, [...(keysByStage.get(apiStage.stage) ?? []), ...usable]);
        }
      }

      return {
        id: restApiId,
        name: api.name ?? restApiId,
        stages,
        routes: resources.flatMap((r) =>
          Object.entries(r.resourceMethods ?? {}).map(([method, definition]) => ({ path: r.path ?? '/', method, definition })),
        ),
        validatesBody: new Map(validators.map((v) => [v.id!, v.validateRequestBody === true])),
        models: new Map(models.filter((m) => m.schema).map((m) => [m.name!, JSON.parse(m.schema!) as object])),
        gatewayResponses: new Map(
          responses.map((r) => [r.responseType!, { statusCode: r.statusCode ?? '', template: r.responseTemplates?.['application/json'] }]),
        ),
        keysByStage,
      };
    }),
  );
}

// A warm "container" for one function: loads the handler once, then runs one event at a time for
// the parent (local/functions/runner.ts) over IPC.
const { join } = require('node:path');

const [moduleName, exportName] = (process.env._HANDLER || 'index.handler').split('.');
const handler = require(join(process.env.LAMBDA_TASK_ROOT, moduleName))[exportName];
if (typeof handler !== 'function') {
  throw new Error(`${process.env._HANDLER} is not a function exported by the bundle`);
}

process.on('message', async ({ id, event, requestId, deadline }) => {
  const context = {
    awsRequestId: requestId,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: process.env.LOCAL_FUNCTION_ARN,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: `/aws/lambda/${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const payload = await handler(event, context);
    process.send({ id, ok: true, payload: payload === undefined ? null : payload });
  } catch (error) {
    process.send({
      id,
      ok: false,
      errorType: (error && error.name) || 'Error',
      errorMessage: (error && error.message) || String(error),
      stack: error && error.stack,
    });
  }
});

process.send({ ready: true });

import { expect } from 'chai';
import { CreateStateMachineCommand, ListStateMachineVersionsCommand, SFNClient, ValidateStateMachineDefinitionCommand } from '@aws-sdk/client-sfn';
import { useMoto } from '../support/moto';
import { expectApplyReplanDestroy } from './fixtures/moto-shim/terraform';

const ROLE = 'arn:aws:iam::123456789012:role/shim-workflow';
const machine = (states: Record<string, unknown>, startAt = 'First') => JSON.stringify({ StartAt: startAt, States: states });

/** Step Functions calls the AWS provider makes that moto 5.2.5 does not implement (local/emulator/moto_shim.py, docs/local.md). */
describe('moto shim: Step Functions as the AWS provider uses it', function () {
  this.timeout(60_000);
  const moto = useMoto();

  describe('ValidateStateMachineDefinition answers like AWS', function () {
    const validate = (definition: string, type?: 'STANDARD' | 'EXPRESS') => new SFNClient({}).send(new ValidateStateMachineDefinitionCommand({ definition, type }));

    it('OK with no diagnostics for a valid definition', async function () {
      const answer = await validate(machine({ First: { Type: 'Pass', Next: 'Done' }, Done: { Type: 'Succeed' } }));
      expect(answer.result).to.equal('OK');
      expect(answer.diagnostics).to.deep.equal([]);
    });

    it('FAIL with SCHEMA_VALIDATION_FAILED for a state type ASL does not have', async function () {
      const answer = await validate(machine({ First: { Type: 'Sleep', End: true } }));
      expect(answer.result).to.equal('FAIL');
      expect(answer.diagnostics?.map((d) => [d.severity, d.code])).to.deep.equal([['ERROR', 'SCHEMA_VALIDATION_FAILED']]);
      expect(answer.diagnostics?.[0]?.message).to.include('Sleep');
    });

    it('FAIL with MISSING_TRANSITION_TARGET (and where) for a Next naming no state, inside a Parallel branch too', async function () {
      const answer = await validate(
        machine({
          First: { Type: 'Parallel', Branches: [{ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } }], Next: 'Gone' },
        }),
      );
      expect(answer.result).to.equal('FAIL');
      expect(answer.diagnostics?.map((d) => [d.code, d.location])).to.deep.equal([
        ['MISSING_TRANSITION_TARGET', '/States/First/Next'],
        ['MISSING_TRANSITION_TARGET', '/States/First/Branches/0/States/A/Next'],
      ]);
    });

    it('FAIL with INVALID_JSON_DESCRIPTION for a definition that is not JSON', async function () {
      const answer = await validate('{"StartAt": ');
      expect(answer.result).to.equal('FAIL');
      expect(answer.diagnostics?.map((d) => d.code)).to.deep.equal(['INVALID_JSON_DESCRIPTION']);
    });

    it('applies the EXPRESS rules to an EXPRESS machine (no .sync integrations)', async function () {
      const definition = machine({ First: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync', End: true } });
      expect((await validate(definition, 'STANDARD')).result).to.equal('OK');
      const express = await validate(definition, 'EXPRESS');
      expect(express.result).to.equal('FAIL');
      expect(express.diagnostics?.[0]?.code).to.equal('SCHEMA_VALIDATION_FAILED');
    });
  });

  describe('ListStateMachineVersions', function () {
    const definition = machine({ First: { Type: 'Succeed' } });

    it('lists no versions of a machine never published', async function () {
      const sfn = new SFNClient({});
      const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'shim-unpublished', definition, roleArn: ROLE }));
      const { stateMachineVersions } = await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn }));
      expect(stateMachineVersions).to.deep.equal([]);
    });

    it('lists the published version with its ARN and creation date', async function () {
      const sfn = new SFNClient({});
      const created = await sfn.send(new CreateStateMachineCommand({ name: 'shim-published', definition, roleArn: ROLE, publish: true }));
      const { stateMachineVersions = [] } = await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: created.stateMachineArn }));
      expect(stateMachineVersions.map((v) => v.stateMachineVersionArn)).to.deep.equal([`${created.stateMachineArn}:1`]);
      expect(stateMachineVersions[0]?.creationDate).to.be.instanceOf(Date);
    });

    it('answers StateMachineDoesNotExist for an unknown machine', async function () {
      const error = await new SFNClient({})
        .send(new ListStateMachineVersionsCommand({ stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:nothing' }))
        .then(
          () => undefined,
          (e: unknown) => e as Error,
        );
      expect(error?.name).to.equal('StateMachineDoesNotExist');
    });
  });

  it('the AWS provider applies a state machine, re-plans it without a diff and destroys it', function () {
    this.timeout(300_000);
    expectApplyReplanDestroy(moto.current().endpoint, ['stepfunctions']);
  });
});

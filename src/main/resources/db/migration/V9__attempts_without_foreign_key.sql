-- Recording an outcome inserts an attempt per delivery, and the foreign key to deliveries checked
-- each one with a lookup of its own: 7.6 of the 16.4 ms that recording 200 outcomes took
-- (bench/RESULTS.md). DeliveryStore deletes a delivery's attempts itself wherever it deletes
-- deliveries (a campaign deleted, a user erased, retention), as the key's cascade did.
ALTER TABLE attempts DROP CONSTRAINT attempts_delivery_id_fkey;
